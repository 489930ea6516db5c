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

# The README's test command must stay under 15 minutes on 2 cores: tests marked `slow` (package rebuilds, three of the
# multi-process scenarios, the timm path end to end, a compile cache read under two instruction sets) run only with
# NNTRAIN_SLOW_TESTS=1 (.github/workflows/test.yaml runs them every night). The notebooks' `#| slow` cells are another matter: long trainings, run by hand.
def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: a long test, run only with NNTRAIN_SLOW_TESTS=1')

def pytest_collection_modifyitems(config, items):
    if os.environ.get('NNTRAIN_SLOW_TESTS') == '1': return
    skip = pytest.mark.skip(reason='slow: run with NNTRAIN_SLOW_TESTS=1')
    for item in items:
        if 'slow' in item.keywords: item.add_marker(skip)
