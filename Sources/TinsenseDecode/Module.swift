// Module TinsenseDecode: under construction in this session.
