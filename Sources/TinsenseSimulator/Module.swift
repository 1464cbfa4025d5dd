// Module TinsenseSimulator: under construction in this session.
