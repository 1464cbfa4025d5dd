print("tinsense")
