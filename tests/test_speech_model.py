"""Model provisioning: local zip install and download from a loopback HTTP server, checksummed."""
from __future__ import annotations

import hashlib
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.speech.model import Expected, ModelInstallError, download, install_zip


def fake_model_zip(path: Path, marker: str = "v1", top: str = "vosk-model-small-cn-0.22") -> Expected:
    """A zip shaped like the vosk download (one top folder with am/ and conf/)."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{top}/am/final.mdl", b"\x00model " + marker.encode())
        zf.writestr(f"{top}/conf/model.conf", "--beam=10\n")
        zf.writestr(f"{top}/graph/Gr.fst", b"fst")
    data = path.read_bytes()
    return Expected(len(data), hashlib.sha256(data).hexdigest())


def test_install_verifies_and_extracts(tmp_path):
    exp = fake_model_zip(tmp_path / "m.zip")
    target = tmp_path / "models" / "cn"
    assert install_zip(tmp_path / "m.zip", target, exp) == target
    assert (target / "am" / "final.mdl").read_bytes().endswith(b"v1")
    assert sorted(p.name for p in target.parent.iterdir()) == ["cn"]  # no temp dirs left


def test_install_replaces_an_existing_model(tmp_path):
    target = tmp_path / "cn"
    install_zip(tmp_path / "a.zip", target, fake_model_zip(tmp_path / "a.zip", "v1"))
    install_zip(tmp_path / "b.zip", target, fake_model_zip(tmp_path / "b.zip", "v2"))
    assert (target / "am" / "final.mdl").read_bytes().endswith(b"v2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "b.zip", "cn"]


def test_checksum_mismatch_is_refused_and_nothing_changes(tmp_path):
    exp = fake_model_zip(tmp_path / "m.zip")
    target = tmp_path / "cn"
    with pytest.raises(ModelInstallError, match="sha256"):
        install_zip(tmp_path / "m.zip", target, Expected(exp.size, "0" * 64))
    with pytest.raises(ModelInstallError, match="bytes"):
        install_zip(tmp_path / "m.zip", target, Expected(exp.size + 1, exp.sha256))
    assert not target.exists()


def test_real_model_constants_refuse_a_fake_zip(tmp_path):
    fake_model_zip(tmp_path / "m.zip")
    with pytest.raises(ModelInstallError, match="43,898,754"):
        install_zip(tmp_path / "m.zip", tmp_path / "cn")


def test_zip_without_a_model_or_with_unsafe_paths(tmp_path):
    empty = tmp_path / "e.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ModelInstallError, match="does not contain a vosk model"):
        install_zip(empty, tmp_path / "cn", None)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escaped.txt", "x")
    with pytest.raises(ModelInstallError, match="unsafe"):
        install_zip(evil, tmp_path / "sub" / "cn", None)
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "cn").exists()


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""
    truncate_to: int | None = None

    def do_GET(self):
        body = self.payload if self.truncate_to is None else self.payload[: self.truncate_to]
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(self.payload)))  # the full size, always
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture()
def server():
    """A loopback HTTP server; set `.payload` / `.truncate_to` on the returned handler class."""
    handler = type("H", (_Handler,), {})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}/vosk-model-small-cn-0.22.zip"
    httpd.shutdown()
    httpd.server_close()


def test_download_from_loopback_installs(tmp_path, server):
    handler, url = server
    exp = fake_model_zip(tmp_path / "m.zip")
    handler.payload = (tmp_path / "m.zip").read_bytes()
    target = tmp_path / "models" / "cn"
    seen = []
    download(url, target, exp, timeout_s=10, progress=lambda got, total: seen.append(got))
    assert (target / "conf" / "model.conf").is_file()
    assert seen[-1] == exp.size
    assert [p.name for p in target.parent.iterdir()] == ["cn"]  # the zip was removed


def test_download_with_wrong_checksum_is_refused(tmp_path, server):
    handler, url = server
    exp = fake_model_zip(tmp_path / "m.zip")
    handler.payload = (tmp_path / "m.zip").read_bytes()
    target = tmp_path / "models" / "cn"
    with pytest.raises(ModelInstallError, match="sha256"):
        download(url, target, Expected(exp.size, hashlib.sha256(b"other").hexdigest()), timeout_s=10)
    assert list(target.parent.iterdir()) == []


def test_truncated_download_is_refused(tmp_path, server):
    handler, url = server
    exp = fake_model_zip(tmp_path / "m.zip")
    handler.payload = (tmp_path / "m.zip").read_bytes()
    handler.truncate_to = exp.size // 2
    target = tmp_path / "models" / "cn"
    with pytest.raises(ModelInstallError):
        download(url, target, exp, timeout_s=10)
    assert list(target.parent.iterdir()) == []


def test_unreachable_host_explains_the_offline_route(tmp_path):
    with pytest.raises(ModelInstallError, match="kiosk model install --zip"):
        download("http://127.0.0.1:9/none.zip", tmp_path / "cn", timeout_s=2)


def test_cli_install_and_download(tmp_path, server):
    handler, url = server
    exp = fake_model_zip(tmp_path / "m.zip")
    handler.payload = (tmp_path / "m.zip").read_bytes()
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    hidden = ["--expect-size", str(exp.size), "--expect-sha256", exp.sha256]
    assert main(["--config", str(cfg), "model", "install", "--zip", str(tmp_path / "m.zip"), *hidden]) == 0
    assert (tmp_path / "data" / "models" / "vosk-model-small-cn-0.22" / "am" / "final.mdl").is_file()
    assert main(["--config", str(cfg), "model", "install", "--zip", str(tmp_path / "m.zip")]) == 1
    other = tmp_path / "other"
    assert main(["--config", str(cfg), "model", "download", "--url", url, "--target", str(other), *hidden]) == 0
    assert (other / "conf" / "model.conf").is_file()
