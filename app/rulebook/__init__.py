"""The rule files in `rules/`, loaded, validated and compiled for the engine."""
