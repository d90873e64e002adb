"""The Streamlit pages of Sparring (run by app.py through st.navigation)."""
