"""cruxmap: map where people disagree and why.

The repository root is this package; its folders are the stages, installed as
``cruxmap.loaders`` (one module per source), ``cruxmap.decompose`` (claims, stances,
disagreements, cruxes), ``cruxmap.graph`` (the schema, the two stores, analysis and exports)
and ``cruxmap.ui`` (the CLI and the Streamlit app). See ARCHITECTURE.md.

>>> import cruxmap
>>> cruxmap.__version__ == __import__("importlib.metadata").metadata.version("cruxmap")
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cruxmap")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"
