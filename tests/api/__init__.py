"""Pure rules of the API and the pages, tested without servers."""
