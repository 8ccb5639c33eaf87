"""Forecasters: the neural default, its peers, and the interface the backtest and the app share."""

DEFAULT_MODEL = "neural_mlp"  # the forecaster trained unless one is asked for (best in the OJ backtest)
