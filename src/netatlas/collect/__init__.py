"""Collection: SSH transport, the platform table, parsing and normalisation into domain records."""
