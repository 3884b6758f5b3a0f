"""The Solara app of powerstack (viz only: the model never imports this package)."""
