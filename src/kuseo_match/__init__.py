"""kuseo_match."""
