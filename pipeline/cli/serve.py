"""``genreport serve``: the web page for staff who never open a terminal (pipeline/web/)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from ..budget import SERVER_MEMORY_MB, SERVER_SECONDS

if TYPE_CHECKING:
    import socket

    from ..web.app import Settings

TOKEN_ENV = "GENREPORT_TOKEN"
MIN_TOKEN = 16  # characters: a short token can be guessed
KEEP_ALIVE_SECONDS = 5  # an idle connection after a response
HEADER_SECONDS = 20.0  # a request's headers, from when the connection is made (or the last answer sent)


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            help="监听的地址。默认 127.0.0.1 只供本机使用；设为 0.0.0.0 或本机的局域网地址供同事访问，"
            "此时必须设置访问令牌。"
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听的端口。", min=1, max=65535)] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            help=f"访问令牌：设置后每个请求都须带上它（地址后加 ?token=令牌）。也可用环境变量 {TOKEN_ENV} 设置。",
            show_default=False,
        ),
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option(help="一次上传的大小上限（MB）：一次可选多个工作簿，合计计算。", min=1, max=1024)
    ] = 20,
    job_memory_mb: Annotated[
        int, typer.Option(help="处理每个上传的工作簿可用的内存上限（MB），超过即停止该次处理。", min=64, max=65536)
    ] = int(SERVER_MEMORY_MB),
    job_seconds: Annotated[
        int, typer.Option(help="处理每个上传的工作簿的时限（秒），超过即停止该次处理。", min=5, max=3600)
    ] = int(SERVER_SECONDS),
    upload_seconds: Annotated[
        int, typer.Option(help="接收一次上传的时限（秒）：网络很慢时可放宽。", min=5, max=3600)
    ] = 120,
    keep_minutes: Annotated[
        int,
        typer.Option(
            help="检查结果和生成的报告在服务器上保留的时间（分钟），到时删除；服务器停止时也删除。", min=1, max=1440
        ),
    ] = 30,
    max_connections: Annotated[
        int, typer.Option(help="同时保持的连接数上限，超过时新的请求得到“服务器繁忙”。", min=8, max=10000)
    ] = 100,
) -> None:
    """在浏览器中使用 genreport：下载空白模板、上传工作簿查看问题、下载报告。

    启动后用浏览器打开显示的地址。上传的工作簿只在检查时暂存于临时文件夹，检查完即删除；
    生成的报告保留 --keep-minutes 分钟供下载，到时删除。
    """
    from ..web.token import is_loopback

    token = (token if token is not None else os.environ.get(TOKEN_ENV, "")).strip() or None
    if token is not None and len(token) < MIN_TOKEN:
        typer.echo(
            f"错误：访问令牌太短（{len(token)} 个字符），至少需要 {MIN_TOKEN} 个字符，否则容易被猜中。"
            '可用 python -c "import secrets; print(secrets.token_urlsafe(16))" 生成一个。',
            err=True,
        )
        raise typer.Exit(2)
    if not is_loopback(host) and token is None:
        typer.echo(
            f"错误：监听 {host} 时局域网中的其他电脑也能访问，必须设置访问令牌："
            f"加 --token 令牌，或设置环境变量 {TOKEN_ENV}。"
            '可用 python -c "import secrets; print(secrets.token_urlsafe(16))" 生成一个。',
            err=True,
        )
        raise typer.Exit(2)
    from ..web.app import Settings
    from ..web.jobs import Limits

    sock = _bind(host, port)
    settings = Settings(
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        token=token,
        allowed_hosts=("127.0.0.1", "localhost", "[::1]", "::1") if token is None else None,
        job_limits=Limits(memory_mb=job_memory_mb, seconds=float(job_seconds)),
        upload_seconds=float(upload_seconds),
        keep_seconds=keep_minutes * 60.0,
    )
    _run(sock, host, port, settings, max_connections)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, opened here so that a busy port or a wrong address is one Chinese line."""
    import errno
    import socket  # here, not at the top: every other command would load it (~3 ms of their start)

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        if os.name != "nt":  # on Windows it would let a second server share the port instead of refusing
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            message = f"端口 {port} 已被占用：请用 --port 换一个端口，或先关闭占用它的程序"
        else:
            message = f"无法在 {host}:{port} 上监听：{e.strerror or e}（请检查 --host 是否为本机的地址）"
        typer.echo(f"错误：{message}", err=True)
        raise typer.Exit(1) from None
    return sock


def _run(sock: socket.socket, host: str, port: int, settings: Settings, max_connections: int) -> None:
    import atexit
    import signal
    import socket

    import uvicorn

    from ..web import jobs
    from ..web.app import create_app
    from ..web.protocol import with_header_deadline

    jobs.start()  # the process jobs fork from, started while this one has no other thread
    app = create_app(settings)
    token = settings.token
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    typer.echo(f"genreport 网页已启动：{address}（按 Ctrl+C 停止）")
    if token is not None:
        lan = socket.gethostname() if host in ("0.0.0.0", "::") else shown
        typer.echo(f"同事访问的地址（含令牌，只发给需要的人）：http://{lan}:{port}/?token={token}")
    # no access log: an address may carry ?token=, and a log line would keep it
    config = uvicorn.Config(
        app,
        http=with_header_deadline(HEADER_SECONDS, max_connections),
        log_level="warning",
        access_log=False,
        server_header=False,
        lifespan="off",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=max_connections * 2,  # uvicorn's own cap, in English: never reached before ours
    )
    store = app.state.store

    def stopped(signum: int, frame: object) -> None:
        store.close()  # the kept reports go with the server
        # dying by the signal skips the exit handlers, among them multiprocessing's, which stops the jobs'
        # forkserver and removes its socket folder from TMPDIR: run them first
        atexit._run_exitfuncs()
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)

    # uvicorn, once shut down, raises the signal that stopped it again with the handler it found: this one
    signal.signal(signal.SIGTERM, stopped)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()
