from pswbench import ui
import streamlit as st

user, q = ui.page("regions")
st.title("regions (being built)")
