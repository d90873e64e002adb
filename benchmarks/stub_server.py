"""A stand-in OpenAI-compatible completion server on loopback, for tests and benchmarks.

It answers ``POST /v1/completions`` (streamed or not) after a fixed delay, with a short
in-character line that is unique per request (``..., reply N.``), and remembers which
prompt produced which reply, so a benchmark can prove that every stored reply was made
for its own conversation. ``GET /health`` answers like llama-server's. It measures what
the app adds on top of a model server whose speed is known exactly.

    python -m benchmarks.stub_server --port 8099 --delay 1.0
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated

import typer

LINES = (
    "Fair enough, I can see where you are coming from",
    "Let me think about that for a second",
    "Honestly, it has been a hard few weeks",
    "I suppose that could work, if we keep it simple",
    "That is not quite how I saw it, but go on",
    "Okay, what would that look like in practice",
)


class StubState:
    """What the stub has answered: reply text -> the prompt it answered."""

    def __init__(self, delay_s: float, chunk_gap_s: float = 0.02) -> None:
        self.delay_s = delay_s
        self.chunk_gap_s = chunk_gap_s
        self.prompts: dict[str, str] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def reply_for(self, prompt: str) -> str:
        with self._lock:
            n = next(self._counter)
            text = f"{LINES[n % len(LINES)]}, reply {n}."
            self.prompts[text] = prompt
        return text


def _handler(state: StubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send_json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path == "/health":
                self._send_json(200, {"status": "ok"})
            else:
                self._send_json(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/completions":
                self._send_json(404, {"error": "not found"})
                return
            time.sleep(state.delay_s)
            prompt = str(request.get("prompt", ""))
            read_ahead = int(request.get("max_tokens") or 0) <= 1  # the app evaluating a prompt early
            text = "" if read_ahead else state.reply_for(prompt)
            if not request.get("stream"):
                self._send_json(200, _completion(text, final=True))
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            words = text.split(" ") if text else []
            for i, word in enumerate(words):
                piece = word if i == 0 else " " + word
                self._event(_completion(piece, final=False))
                time.sleep(state.chunk_gap_s)
            self._event(_completion("", final=True, predicted=len(words)))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _event(self, body: dict) -> None:
            self.wfile.write(b"data: " + json.dumps(body).encode() + b"\n\n")
            self.wfile.flush()

    return Handler


def _completion(text: str, *, final: bool, predicted: int | None = None) -> dict:
    body = {
        "id": "cmpl-stub",
        "object": "text_completion",
        "created": int(time.time()),
        "model": "stub",
        "choices": [{"index": 0, "text": text, "finish_reason": "stop" if final else None, "logprobs": None}],
    }
    if final:
        words = len(text.split()) if predicted is None else predicted
        body["timings"] = {"prompt_n": 0, "cache_n": 0, "predicted_n": words}
    return body


class StubServer:
    """The stub in a background thread of this process: ``with StubServer(0.5) as url:``."""

    def __init__(self, delay_s: float, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = StubState(delay_s)
        self.httpd = ThreadingHTTPServer((host, port), _handler(self.state))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="stub-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main(
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8099,
    delay: Annotated[float, typer.Option(help="Seconds before the first token")] = 1.0,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
) -> None:
    """Serve the stub until interrupted."""
    server = StubServer(delay, host, port)
    server.httpd.serve_forever()


if __name__ == "__main__":
    typer.run(main)
