// Module TinsenseValidate: under construction in this session.
