"""frontierkit as the sorting and hypervolume backend of other optimizers.

One module per library, imported on demand (each needs its library installed):

- :mod:`frontierkit.integrations.pymoo`
- :mod:`frontierkit.integrations.optuna`
- :mod:`frontierkit.integrations.botorch`
- :mod:`frontierkit.integrations.deap`

None of these libraries has a plugin registry, so each module offers the injection point the
library documents (an object to pass in) and an opt-in ``install()`` / ``uninstall()`` that
replaces the library's own functions in the modules that use them, and restores them exactly.
"""
