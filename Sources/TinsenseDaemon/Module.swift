// Module TinsenseDaemon: under construction in this session.
