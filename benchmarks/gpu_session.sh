#!/usr/bin/env bash
# One device session in one call: install what the lent GPU machine lacks from carried files, run gpu_check.py, keep its log.
#   here, once:      NNTRAIN_DATA=../shared/data bash benchmarks/gpu_session.sh --prepare   (wheels and IDX files into .gpu/, git-ignored)
#   on the device:   run(command="bash benchmarks/gpu_session.sh", carry=[".gpu"], timeout_s=600); the log comes back as gpu_check.log
#   a CPU dry run:   bash benchmarks/gpu_session.sh --dry_run
# The GPU machine has torch, tqdm, pandas, pyarrow and pytest but not fastcore, torcheval or datasets, and reaches no index.
set -uo pipefail
cd "$(dirname "$0")/.."
WHEELS="fastcore==1.14.5 torcheval==0.0.7 datasets==5.2.0 dill==0.4.1 multiprocess==0.70.19"
if [ "${1:-}" = "--prepare" ]; then
  [ -n "${NNTRAIN_DATA:-}" ] || { echo "gpu_session: set NNTRAIN_DATA to the folder holding fashion_mnist/"; exit 2; }
  grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo '/.gpu/' >> .git/info/exclude; }
  mkdir -p .gpu/whl .gpu/data/fashion_mnist
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .gpu/whl $WHEELS || exit 1
  cp "$NNTRAIN_DATA"/fashion_mnist/*-ubyte.gz .gpu/data/fashion_mnist/ || exit 1
  du -sh .gpu; exit 0
fi
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
if ! python3 -c "import fastcore, torcheval" 2>/dev/null; then   # the bare GPU machine: the tests need the `nntrain` script too
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir .gpu/whl/*.whl || exit 1
  python3 -m pip install -q --no-index --no-deps --no-build-isolation -e . || exit 1
fi
log="${OUT:-/tmp}/gpu_check.log"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee "$log"
python3 benchmarks/gpu_check.py --data .gpu/data/fashion_mnist "$@" 2>&1 | tee -a "$log"
