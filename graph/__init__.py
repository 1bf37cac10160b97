"""cruxmap's graph layer: the schema, the two stores, analysis and exports."""
