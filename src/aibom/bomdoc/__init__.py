"""bomdoc"""
