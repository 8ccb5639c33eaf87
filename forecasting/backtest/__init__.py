"""Rolling-origin backtests: the protocols, the metrics, and the peer models scored beside ours."""
