from pswbench import ui
import streamlit as st

user, q = ui.page("submissions")
st.title("submissions (being built)")
