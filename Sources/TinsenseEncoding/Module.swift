// Module TinsenseEncoding: under construction in this session.
