"""Helpers of the web tests: a demo-like data directory, and a real uvicorn server on a
free loopback port (for the browser tests)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from vivier.config import Settings, load_settings
from vivier.pipeline.demo import run_demo


def prepare_demo_home(home: Path) -> Settings:
    """Run the demo pipeline (every step the features registered) into `home`, and
    build the matching index (lexical only, fast) when the demo did not."""
    settings = load_settings(home=home)
    for _line in run_demo(settings):
        pass
    if not (settings.index_dir / "engine.pkl").exists():  # the demo did not index
        from vivier.match import MatchEngine

        MatchEngine.build(settings, model_name="none").save(settings)
    return settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving `app` in a thread on 127.0.0.1:PORT until `stop()`."""

    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
