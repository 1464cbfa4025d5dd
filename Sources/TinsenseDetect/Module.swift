// Module TinsenseDetect: under construction in this session.
