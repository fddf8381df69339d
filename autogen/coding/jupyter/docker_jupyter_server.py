"""A Jupyter kernel gateway in a Docker container, for :class:`JupyterCodeExecutor`.

The default image, ``autogen-jupyterkernelgateway``, is built on this machine when it is missing: the local base
image (``python:3-slim`` by default) plus ``jupyter_kernel_gateway`` and ``ipykernel`` installed from wheels that
pip downloads on the host, so the build itself needs no network (nothing is pulled from a registry).
``python -m autogen.coding.jupyter.docker_jupyter_server`` builds it ahead of time (scripts/setup_docker.sh does).
Needs a running Docker daemon and the ``jupyter-executor`` extra.
"""

from __future__ import annotations

import atexit
import logging
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Optional, Union

from .._lifecycle import StopOnExit
from ._extras import require
from .base import JupyterConnectionInfo
from .jupyter_client import JupyterClient

__all__ = ("DockerJupyterServer", "build_kernel_gateway_image")

logger = logging.getLogger(__name__)

DEFAULT_IMAGE = "autogen-jupyterkernelgateway"
DEFAULT_BASE_IMAGE = "python:3-slim"
GATEWAY_PACKAGES = ("jupyter_kernel_gateway", "ipykernel")
_PORT = "8888/tcp"
_START_TIMEOUT = 60.0

DOCKERFILE = """\
FROM {base_image}
COPY wheels /tmp/wheels
RUN python3 -m pip install --no-index --find-links /tmp/wheels --break-system-packages --root-user-action=ignore \\
        {packages} \\
    && rm -rf /tmp/wheels
EXPOSE 8888
CMD python3 -m jupyter kernelgateway --KernelGatewayApp.ip=0.0.0.0 --KernelGatewayApp.port=8888 \\
    --KernelGatewayApp.auth_token="${{TOKEN}}" --JupyterApp.answer_yes=true \\
    --JupyterWebsocketPersonality.list_kernels=true
"""


def _docker() -> Any:
    from .._docker import _import_docker

    return _import_docker()


def _client() -> Any:
    """A Docker client whose daemon answers (DockerNotRunningError, which says how to fix it, otherwise)."""
    from .._docker import docker_client

    return docker_client()


def _image_python(client: Any, base_image: str) -> str:
    """The ``major.minor`` version of the base image's python3 (the wheels must match it)."""
    output = client.containers.run(
        base_image,
        ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        remove=True,
        network_disabled=True,
    )
    return str(output.decode().strip())


def build_kernel_gateway_image(image_name: str = DEFAULT_IMAGE, base_image: str = DEFAULT_BASE_IMAGE) -> str:
    """Build ``image_name`` from the local ``base_image`` (which needs python3 and pip) with the kernel gateway
    installed from wheels pip downloads here; return the image name."""
    client = _client()
    docker = _docker()
    try:
        client.images.get(base_image)
    except docker.errors.ImageNotFound:
        raise ValueError(
            f"The base image {base_image!r} is not present (nothing can be pulled here): build it first with "
            "scripts/setup_docker.sh, or pass an existing base_image."
        ) from None
    python_version = _image_python(client, base_image)
    machine = platform.machine()
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in (28, 17)] + [f"manylinux2014_{machine}", "any"]
    with tempfile.TemporaryDirectory(prefix="autogen-jkg-") as context:
        wheels = Path(context) / "wheels"
        argv = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
        argv += ["--only-binary=:all:", "--python-version", python_version, "--implementation", "cp"]
        for tag in platforms:
            argv += ["--platform", tag]
        argv += ["--dest", str(wheels), *GATEWAY_PACKAGES]
        logger.info("Downloading the kernel gateway's wheels for Python %s", python_version)
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"pip could not download {', '.join(GATEWAY_PACKAGES)}:\n{done.stderr[-2000:]}")
        dockerfile = DOCKERFILE.format(base_image=base_image, packages=" ".join(GATEWAY_PACKAGES))
        (Path(context) / "Dockerfile").write_text(dockerfile, encoding="utf-8")
        logger.info("Building the image %s from %s", image_name, base_image)
        try:
            client.images.build(path=context, tag=image_name, rm=True, forcerm=True, pull=False)
        except docker.errors.BuildError as exc:
            log = "".join(str(chunk.get("stream", "")) for chunk in exc.build_log)
            raise RuntimeError(f"Building {image_name} failed: {exc}\n{log[-2000:]}") from exc
    return image_name


class DockerJupyterServer(StopOnExit):
    """Runs a Jupyter kernel gateway in a container, published on 127.0.0.1 at a free port.

    Args (the classic ones):
        custom_image_name: an image whose command starts a kernel gateway on port 8888 with the token of the
            ``TOKEN`` environment variable; default: ``autogen-jupyterkernelgateway``, built when missing.
        container_name: the container's name (default: Docker's).
        auto_remove: remove the container once it stops.
        stop_container: stop the container in :meth:`stop` (and at interpreter exit).
        docker_env: more environment variables for the container.
        token: the gateway's token (default: a random one).
    """

    class GenerateToken:
        """Sentinel: generate a random token."""

    def __init__(
        self,
        *,
        custom_image_name: Optional[str] = None,
        container_name: Optional[str] = None,
        auto_remove: bool = True,
        stop_container: bool = True,
        docker_env: Optional[Dict[str, str]] = None,
        token: Union[str, GenerateToken] = GenerateToken(),
    ) -> None:
        require("requests", "DockerJupyterServer")
        require("websocket", "DockerJupyterServer")
        docker = _docker()
        client = _client()
        if custom_image_name is None:
            image_name = DEFAULT_IMAGE
            try:
                client.images.get(image_name)
            except docker.errors.ImageNotFound:
                logger.info("Image %s not found; building it now", image_name)
                build_kernel_gateway_image(image_name)
        else:
            image_name = custom_image_name
            try:
                client.images.get(image_name)
            except docker.errors.ImageNotFound:
                raise ValueError(f"Custom image {image_name} does not exist") from None
        self._token = secrets.token_hex(32) if isinstance(token, DockerJupyterServer.GenerateToken) else token
        self._stop_container = stop_container
        container = client.containers.run(
            image_name,
            detach=True,
            auto_remove=auto_remove,
            environment={"TOKEN": self._token, **(docker_env or {})},
            ports={_PORT: ("127.0.0.1", None)},
            name=container_name,
        )
        self._container: Any = container
        self._container_id: str = container.id
        atexit.register(self.stop)
        try:
            self._port = self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self) -> int:
        requests = require("requests", "DockerJupyterServer")
        docker = _docker()
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                self._container.reload()
            except docker.errors.NotFound:
                raise RuntimeError("The kernel gateway container exited while starting.") from None
            if self._container.status in ("exited", "dead"):
                raise RuntimeError(
                    "The kernel gateway container exited while starting:\n"
                    + self._container.logs(tail=20).decode(errors="replace")
                )
            bindings = (self._container.ports or {}).get(_PORT)
            if bindings:
                port = int(bindings[0]["HostPort"])
                try:
                    url = f"http://127.0.0.1:{port}/api/kernelspecs"
                    headers = {"Authorization": f"token {self._token}"}
                    if requests.get(url, headers=headers, timeout=2).status_code == 200:
                        return port
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        raise RuntimeError(
            f"The kernel gateway in container {self._container_id[:12]} did not answer within {_START_TIMEOUT:g} s:\n"
            + self._container.logs(tail=20).decode(errors="replace")
        )

    @property
    def connection_info(self) -> JupyterConnectionInfo:
        return JupyterConnectionInfo(host="127.0.0.1", use_https=False, port=self._port, token=self._token)

    @property
    def container_id(self) -> str:
        return self._container_id

    def get_client(self) -> JupyterClient:
        """A REST/websocket client of this gateway."""
        return JupyterClient(self.connection_info)

    def stop(self) -> None:
        """Stop the container (when ``stop_container``). Safe to call more than once."""
        atexit.unregister(self.stop)
        container, self._container = self._container, None
        if container is None or not self._stop_container:
            return
        docker = _docker()
        try:
            container.stop(timeout=5)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:  # already being removed (auto_remove)
            if exc.status_code not in (404, 409):
                raise


def main() -> None:
    """Build the default image when it is absent (``--force``: build it again)."""
    logging.basicConfig(level=logging.INFO, format="[docker_jupyter_server] %(message)s")
    docker = _docker()
    client = _client()
    try:
        client.images.get(DEFAULT_IMAGE)
        if "--force" not in sys.argv[1:]:
            logger.info("image %s already present", DEFAULT_IMAGE)
            return
    except docker.errors.ImageNotFound:
        pass
    build_kernel_gateway_image(DEFAULT_IMAGE)
    logger.info("image %s built", DEFAULT_IMAGE)


if __name__ == "__main__":
    main()
