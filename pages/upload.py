from pswbench import ui
import streamlit as st

user, q = ui.page("upload")
st.title("upload (being built)")
