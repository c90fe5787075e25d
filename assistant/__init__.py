"""Partnership Design Assistant: cited answers on designing bilateral economic partnerships."""
