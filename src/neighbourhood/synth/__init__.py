"""Synthetic neighbourhood generator: writes the Parquet lake of docs/data-model.md for a seed and size.

Entry point: `neighbourhood.synth.generate.generate_neighbourhood` (no Django), wrapped by the
`neighbourhood synth` management command. Modules, in the order a chunk of people is made:
`population` (who), `conditions` (long-term conditions, deaths), `frailty` (eFI deficits, falls,
social findings), `gp_record` (diagnosis and measurement events), `social` (carers, next of kin,
adult social care), `hospital` (true admission risk and hospital activity), `medications`.
"""
