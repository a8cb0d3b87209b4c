"""formats/pickle"""
