"""The Open SmartCity App backend (a Parse Server) as a content source: REST, LiveQuery,
files and state on disk. No Qt here; the view's meaning lives in stele/domain/osca.py."""
