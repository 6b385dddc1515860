package web

// coreMessages translates the shell's English texts to Vietnamese.
// CoreTranslation returns the shell's Vietnamese for an English text: any
// feature's page may use these without translating them again.
func CoreTranslation(en string) (string, bool) {
	vi, ok := coreMessages[en]
	return vi, ok
}

var coreMessages = map[string]string{
	"Skip to content":                       "Chuyển đến nội dung chính",
	"Data integration and sharing platform": "Nền tảng tích hợp, chia sẻ dữ liệu",
	"Language":                              "Ngôn ngữ",
	"Log out":                               "Đăng xuất",
	"Log in":                                "Đăng nhập",
	"Main navigation":                       "Điều hướng chính",
	"Menu":                                  "Trình đơn",
	"Home":                                  "Trang chủ",
	"Error":                                 "Lỗi",
	"Page not found":                        "Không tìm thấy trang",
	"Not allowed":                           "Không có quyền",
	"Something went wrong":                  "Đã có lỗi xảy ra",
	"Reference":                             "Mã tham chiếu",
	"Back to the home page":                 "Về trang chủ",
	"Focal points for data sharing":         "Đầu mối chia sẻ dữ liệu",
	"About and notices":                     "Giới thiệu và thông báo bản quyền",
	"please log in":                         "vui lòng đăng nhập",
	"you are not allowed to do this":        "bạn không có quyền thực hiện thao tác này",
	"the form has expired; reload the page and try again": "biểu mẫu đã hết hạn; hãy tải lại trang và thử lại",
	"send the file as multipart/form-data":                "hãy gửi tệp dạng multipart/form-data",
	"the upload is malformed or was interrupted":          "dữ liệu tải lên bị lỗi hoặc bị gián đoạn",
	"the field %s is too large":                           "trường %s vượt quá dung lượng cho phép",
	"choose a file to upload":                             "hãy chọn tệp để tải lên",
	"govdx — open-source platform for digital transformation of ministries and provinces (Decree 47/2020/NĐ-CP).": "govdx — nền tảng mã nguồn mở phục vụ chuyển đổi số của bộ, ngành, địa phương (Nghị định 47/2020/NĐ-CP).",
	"Saved.":       "Đã lưu.",
	"Search":       "Tìm kiếm",
	"new":          "mới",
	"Next page":    "Trang sau",
	"All":          "Tất cả",
	"Save":         "Lưu",
	"Cancel":       "Hủy",
	"Name":         "Tên",
	"Code":         "Mã",
	"Kind":         "Loại",
	"Status":       "Trạng thái",
	"Actions":      "Thao tác",
	"Created":      "Ngày tạo",
	"Phone":        "Điện thoại",
	"Email":        "Thư điện tử",
	"Address":      "Địa chỉ",
	"Website":      "Trang thông tin điện tử",
	"Organisation": "Cơ quan, tổ chức",

	// Errors of the platform: request bodies, paging, database constraints.
	"internal error":                             "lỗi hệ thống",
	"already exists: %v":                         "đã tồn tại: %v",
	"refers to a record that does not exist: %v": "tham chiếu đến bản ghi không tồn tại: %v",
	"the body must be application/json":          "nội dung yêu cầu phải có kiểu application/json",
	"the body must hold a single JSON value":     "nội dung yêu cầu chỉ được chứa một giá trị JSON",
	"the body is empty":                          "nội dung yêu cầu rỗng",
	"the body is larger than %d bytes":           "nội dung yêu cầu vượt quá %d byte",
	"malformed JSON at byte %d":                  "JSON sai cú pháp tại byte %d",
	"malformed JSON: %v":                         "JSON sai cú pháp: %v",
	"%s must be of type %s":                      "trường %s phải có kiểu %s",
	"unknown field %q":                           "trường %q không hợp lệ",
	"limit must be between 1 and %d":             "số bản ghi mỗi trang (limit) phải từ 1 đến %d",
	"cursor is not valid":                        "vị trí phân trang (cursor) không hợp lệ",
	// Upload progress (static/upload.js).
	"Upload progress": "Tiến độ tải lên",
	"Uploaded; the server is processing the file…":           "Đã tải lên; máy chủ đang xử lý tệp…",
	"The upload failed; check the connection and try again.": "Tải lên không thành công; hãy kiểm tra kết nối và thử lại.",
}
