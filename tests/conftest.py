import os, pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# a relative NNTRAIN_DATA means relative to where pytest was started; notebooks run in nbs/, so resolve it once, here
if os.environ.get('NNTRAIN_DATA'): os.environ['NNTRAIN_DATA'] = str(Path(os.environ['NNTRAIN_DATA']).resolve())

@pytest.fixture(scope='session')
def data_path() -> Path:
    "The data folder the tests were given in NNTRAIN_DATA (holding fashion_mnist/)."
    p = os.environ.get('NNTRAIN_DATA')
    if not p: pytest.fail("Set NNTRAIN_DATA to a folder holding fashion_mnist/ with the four IDX .gz files.")
    return Path(p)
