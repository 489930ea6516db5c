"""Take the TensorBoard picture of notebook 02f: a short run with --tensorboard, TensorBoard on it, a screenshot in Chromium.

    NNTRAIN_DATA=/path/to/data python tools/screenshot_tensorboard.py    # writes nbs/images/tensorboard.png
"""
import base64, os, socket, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from check_docs import ROOT, Chromium
from nntrain.accel import free_port

def main():
    data = os.environ.get('NNTRAIN_DATA')
    if not data: sys.exit("error: set NNTRAIN_DATA to the folder of Fashion-MNIST's IDX files")
    out = ROOT/'nbs'/'images'/'tensorboard.png'
    with tempfile.TemporaryDirectory() as work:
        run = Path(work)/'run'
        subprocess.run([str(Path(sys.executable).parent/'nntrain'), 'train', '--data', data, '--limit', '6000', '--epochs', '4',
                        '--tensorboard', '--out', str(run)], check=True)
        port = free_port()
        board = subprocess.Popen([sys.executable, '-m', 'tensorboard.main', '--logdir', work, '--port', str(port),
                                  '--host', '127.0.0.1'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with Chromium(timeout=60) as browser:
                browser.resize(860)
                for _ in range(60):   # TensorBoard answers once it has read the event files
                    try:
                        with socket.create_connection(('127.0.0.1', port), timeout=1): break
                    except OSError: time.sleep(1)
                browser.open(f'http://127.0.0.1:{port}/#timeseries')
                for _ in range(60):   # the charts draw a little after the page loads
                    if browser.evaluate("document.querySelectorAll('canvas, svg path.line, .line-chart').length") >= 4: break
                    time.sleep(1)
                # the settings pane opens by default: closed, the charts get the width
                browser.evaluate("(() => { const b = [...document.querySelectorAll('button')].find(b => "
                                 "(b.getAttribute('aria-label') || '').toLowerCase().includes('close')); if (b) b.click(); })()")
                time.sleep(3)
                png = browser.send('Page.captureScreenshot', session=True, format='png')['data']
                out.write_bytes(base64.b64decode(png))
        finally: board.terminate(); board.wait(10)
    print(f"wrote {out.relative_to(ROOT)}")

if __name__ == '__main__': main()
