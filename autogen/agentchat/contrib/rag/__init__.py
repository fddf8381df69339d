"""The building blocks of retrieval-augmented chat: text extraction, chunking, document sources,
embeddings, loading a collection, choosing the context and the prompts.

``autogen.retrieve_utils`` keeps the classic names of these helpers; the agents are in
``autogen.agentchat.contrib.retrieve_user_proxy_agent`` and ``...qdrant_retrieve_user_proxy_agent``.
Nothing heavy is imported until a document is read or a text embedded.
"""
