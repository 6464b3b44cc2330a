from pswbench import ui
import streamlit as st

user, q = ui.page("snapshot")
st.title("snapshot (being built)")
