"""Forecasters: the neural default, its peers, and the interface the backtest and the app share."""
