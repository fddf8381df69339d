"""A missing optional package raises one kind of error everywhere: an ImportError naming the package and the extra.

Each case hides a package (a ``sys.modules`` entry set to None, as Python does for a blocked import) and goes
through the public entry point a user calls; the error keeps the type of its layer (``CodeExecutionError`` for
executors, ``RetrievalError`` for retrieval) so existing ``except`` clauses still catch it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional, Tuple, Type

import pytest

from autogen._optional import MissingExtraError, import_optional
from autogen.agentchat.contrib.rag.errors import RetrievalError
from autogen.coding import CodeExecutionError
from autogen.exception_utils import AutoGenError


def _redis_cache(tmp_path: Path) -> object:
    from autogen.cache.redis_cache import RedisCache

    return RedisCache(7, "redis://127.0.0.1:1/0")


def _redis_store(tmp_path: Path) -> object:
    from autogen.state.redis_store import RedisStore

    return RedisStore("redis://127.0.0.1:1/0", "chat").load()


def _ray(tmp_path: Path) -> object:
    from autogen.scale.ray_backend import import_ray

    return import_ray()


def _ipython(tmp_path: Path) -> object:
    from autogen.coding.jupyter import EmbeddedIPythonCodeExecutor

    return EmbeddedIPythonCodeExecutor(output_dir=tmp_path)


def _jupyter_client(tmp_path: Path) -> object:
    from autogen.coding.jupyter import JupyterClient, JupyterConnectionInfo

    return JupyterClient(JupyterConnectionInfo(host="127.0.0.1", use_https=False, port=1, token=None))


def _retrieval(tmp_path: Path) -> object:
    from autogen.retrieve_utils import create_vector_db_from_dir

    return create_vector_db_from_dir(str(tmp_path), db_path=str(tmp_path / "never-made"))


def _teachability(tmp_path: Path) -> object:
    from autogen.agentchat.contrib.capabilities.memo_store import MemoStore

    return MemoStore(path_to_db_dir=str(tmp_path / "memos"))


# (hidden module, what the user calls, pip package named, extra named, the layer's own error class or None)
CASES: Tuple[Tuple[str, Callable[[Path], object], str, str, object], ...] = (
    ("redis", _redis_cache, "redis", "redis", None),
    ("redis", _redis_store, "redis", "redis", None),
    ("ray", _ray, "ray", "ray", None),
    ("jupyter_client", _ipython, "jupyter-client", "jupyter-executor", CodeExecutionError),
    ("requests", _jupyter_client, "requests", "jupyter-executor", CodeExecutionError),
    ("chromadb", _retrieval, "chromadb", "retrievechat", RetrievalError),
    ("chromadb", _teachability, "chromadb", "teachable", RetrievalError),
)


@pytest.mark.parametrize(
    ("hidden", "call", "package", "extra", "layer"), CASES, ids=lambda v: getattr(v, "__name__", None)
)
def test_a_missing_extra_is_named_with_the_type_of_its_layer(
    hidden: str,
    call: Callable[[Path], object],
    package: str,
    extra: str,
    layer: Optional[Type[Exception]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, hidden, None)
    with pytest.raises(MissingExtraError) as info:
        call(tmp_path)
    error = info.value
    assert isinstance(error, ImportError) and isinstance(error, AutoGenError)
    assert f'needs the "{package}" package, which is not installed.' in str(error)
    assert str(error).endswith(f'Install it with: pip install "pyautogen[{extra}]"')
    assert (error.package, error.extra) == (package, extra)
    for kind in (CodeExecutionError, RetrievalError):
        assert isinstance(error, kind) == (kind is layer), kind


def test_a_broken_dependency_of_an_installed_package_shows_the_real_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "installed_but_broken.py").write_text("import no_such_module_anywhere\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError) as info:
        import_optional("installed_but_broken", package="installed-but-broken", extra="x", feature="This test")
    assert not isinstance(info.value, MissingExtraError)
    assert info.value.name == "no_such_module_anywhere"
