// Module TinsenseConfig: under construction in this session.
