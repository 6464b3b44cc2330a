from pswbench import ui
import streamlit as st

user, q = ui.page("definitions")
st.title("definitions (being built)")
