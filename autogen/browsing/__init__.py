"""The parts of :class:`autogen.browser_utils.SimpleTextBrowser`: page conversion, search, viewport paging.

``convert.html_to_markdown`` is also the one HTML-to-Markdown conversion of retrieval and of the classic
``autogen.retrieve_utils.parse_html_to_markdown``. Each module imports its optional packages
(``pip install "pyautogen[websurfer]"``) only when used.
"""
