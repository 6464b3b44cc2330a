"""Statistical methods on indicator figures: funnel-plot limits with overdispersion, Making Data Count
SPC (XmR) charts, and progress to the national ambition. Streamlit-free and plotly-free: the pages,
the charts and the command line (`outliers`, `spc`, `ambition`) all read their numbers from here."""
