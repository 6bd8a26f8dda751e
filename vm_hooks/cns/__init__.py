"""The Contract Name Service implemented natively: the FISCO interface and its ENS views."""
