// Module TinsenseStorage: under construction in this session.
