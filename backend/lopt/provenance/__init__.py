"""Provenance: what a file declares about its origin (bytes -> declarations).

C2PA Content Credentials through the C2PA SDK (never from the network), EXIF/XMP/IPTC
metadata and generator text through Pillow, and one finding that says how far each can be
relied on. No model code, no web code.
"""

from lopt.provenance.manifests import load_trust_list
from lopt.provenance.read import ProvenanceOptions, read_provenance, unavailable
from lopt.provenance.results import Provenance

__all__ = ["Provenance", "ProvenanceOptions", "load_trust_list", "read_provenance", "unavailable"]
