"""The parts of :class:`autogen.browser_utils.SimpleTextBrowser`: page conversion, search, viewport paging.

Each module imports its optional packages (``pip install "pyautogen[websurfer]"``) only when used.
"""
