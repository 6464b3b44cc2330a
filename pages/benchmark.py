from pswbench import ui
import streamlit as st

user, q = ui.page("benchmark")
st.title("benchmark (being built)")
