"""formats/keras"""
