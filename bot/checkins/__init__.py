"""The lyskurve instrument: colours, life areas, programme settings and alert rules (DESIGN §4)."""
