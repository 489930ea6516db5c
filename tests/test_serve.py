"""The demo page as a user meets it: `nntrain serve` started, the page opened in headless Chromium, an image uploaded,
the predicted label read off the page and compared with `nntrain predict` on the same file.

With NNTRAIN_SCREENSHOTS=FOLDER the page is saved there as demo_page.png (notebook 10a shows that picture)."""
import os, signal, socket, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
from PIL import Image
from test_folders import NNTRAIN, run
from nntrain.accel import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tools'))
from check_docs import CHROMIUM, Chromium

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason='Chromium (Debian package chromium) is not installed')


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 120):
    "Wait until something listens on `port`, failing early if `proc` exits."
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None: pytest.fail(f"nntrain serve exited with {proc.returncode}: {proc.stderr.read()}")
        with socket.socket() as s:
            if s.connect_ex(('127.0.0.1', port)) == 0: return
        time.sleep(0.3)
    pytest.fail(f"nothing listened on port {port} after {timeout} s")

def wait_js(page: Chromium, expression: str, timeout: float = 60):
    "The value of `expression` in the page once it is truthy."
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if value := page.evaluate(expression): return value
        time.sleep(0.2)
    pytest.fail(f"the page never satisfied: {expression}")

def test_upload_an_image_and_read_the_prediction(tmp_path, data_path):
    env = {**os.environ, 'NNTRAIN_CACHE': str(tmp_path/'cache')}
    res = run('train', '--data', data_path, '--limit', '3000', '--epochs', '2', '--out', tmp_path/'run', env=env)
    assert res.returncode == 0, res.stderr
    from nntrain.runs import load_data
    test = load_data(data_path, 256, log=None).valid   # Fashion-MNIST's test split
    boots = tmp_path/'boot.png'   # a test image of an ankle boot (class 9), as a user's file
    Image.fromarray(test.x[(test.y == 9).nonzero()[0, 0], 0].numpy()).save(boots)
    expected = run('predict', tmp_path/'run', boots, env=env).stdout.split('\t')[1]

    port = free_port()
    server = subprocess.Popen([NNTRAIN, 'serve', str(tmp_path/'run'), '--port', str(port), '--data', str(data_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for_port(port, server)
        with Chromium(timeout=60) as page:
            assert 'error' not in page.open(f'http://127.0.0.1:{port}/')
            wait_js(page, "document.querySelector('input[type=file]') !== null")
            heading = wait_js(page, "document.querySelector('h1') && document.querySelector('h1').innerText")
            assert heading == 'nntrain · run', heading
            assert wait_js(page, "document.body.innerText.includes('validation accuracy')")
            # the examples' thumbnails arrive after the page's text, from the server
            assert wait_js(page, "document.querySelectorAll('[data-testid=\"examples\"] img, .gallery img').length >= 1")
            root = page.send('DOM.getDocument', session=True, depth=-1, pierce=True)['root']['nodeId']
            upload = page.send('DOM.querySelector', session=True, nodeId=root, selector='input[type=file]')['nodeId']
            page.send('DOM.setFileInputFiles', session=True, nodeId=upload, files=[str(boots)])
            wait_js(page, "[...document.querySelectorAll('img')].some(i => i.alt !== '' || i.src.includes('boot'))")
            page.evaluate("[...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Submit').click()")
            shown = wait_js(page, "(() => { const e = document.querySelector('[data-testid=\"label-output-value\"]'); "
                                  "return e && e.innerText.trim() })()")
            assert shown == expected, (shown, expected)
            if os.environ.get('NNTRAIN_SCREENSHOTS'):
                time.sleep(1)   # the bars' animation
                page.screenshot(Path(os.environ['NNTRAIN_SCREENSHOTS'])/'demo_page.png')
    finally:
        server.send_signal(signal.SIGINT)   # Ctrl-C, as a user stops it
        try: out, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired: server.kill(); out, err = server.communicate()
    assert server.returncode in (0, 130), err
    assert 'Traceback' not in err, err
    assert out.startswith('serving run: cnn, 10 classes, '), out
