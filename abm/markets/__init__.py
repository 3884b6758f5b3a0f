"""Markets: pure clearing (pack call auction, DC-OPF power market) and the exchanges that run them each month."""
