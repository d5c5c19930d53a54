"""The managers' workbench: a Streamlit app over the same model, runner and analysis as the CLI."""
