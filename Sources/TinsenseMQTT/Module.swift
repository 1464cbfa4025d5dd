// Module TinsenseMQTT: under construction in this session.
