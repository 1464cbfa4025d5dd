// Module TinsenseAlerts: under construction in this session.
